import { createHash } from 'node:crypto';
import { eventCatalogue, type EventTypeDefinition } from '@timeline/events';

/** A raw envelope exactly as a producer puts it on Kafka (what `eventCatalogue.decode` accepts). */
export type BenchEnvelope = Record<string, unknown> & {
  eventId: string;
  type: string;
  schemaVersion: number;
  storyId: string;
  recordedAt: string;
  occurredAt: string;
  summary: string;
};

/** Small, fast, seedable PRNG (sfc32); the same seed always yields the same sequence. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a |= 0;
    this.b |= 0;
    this.c |= 0;
    this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Zipf-like skew: low indexes are picked far more often (a few actors dominate real news). */
  skewed<T>(items: readonly T[]): T {
    const u = this.next();
    return items[Math.min(items.length - 1, Math.floor(items.length * u * u))]!;
  }

  /** `k` distinct items. */
  some<T>(items: readonly T[], k: number, skew = false): T[] {
    const out = new Set<T>();
    while (out.size < Math.min(k, items.length)) out.add(skew ? this.skewed(items) : this.pick(items));
    return [...out];
  }

  /** A version-4-shaped UUID from the PRNG (deterministic, unlike crypto.randomUUID). */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => (Math.floor(this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0')).join('');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

const ACTORS = [
  ['kremlin', 'Kremlin', 'RU'],
  ['us-dod', 'US Department of Defense', 'US'],
  ['nato', 'NATO', undefined],
  ['white-house', 'White House', 'US'],
  ['ua-mod', 'Ukrainian Ministry of Defence', 'UA'],
  ['ru-mod', 'Russian Ministry of Defence', 'RU'],
  ['us-state-dept', 'US Department of State', 'US'],
  ['ua-president', 'President of Ukraine', 'UA'],
  ['ru-mfa', 'Russian Ministry of Foreign Affairs', 'RU'],
  ['eu-commission', 'European Commission', undefined],
  ['uk-mod', 'UK Ministry of Defence', 'GB'],
  ['by-mod', 'Belarusian Ministry of Defence', 'BY'],
  ['osce', 'OSCE', undefined],
  ['de-chancellery', 'German Chancellery', 'DE'],
  ['fr-elysee', 'Élysée Palace', 'FR'],
  ['pl-mod', 'Polish Ministry of National Defence', 'PL'],
  ['ua-sbu', 'Security Service of Ukraine', 'UA'],
  ['ru-duma', 'State Duma', 'RU'],
  ['ua-rada', 'Verkhovna Rada', 'UA'],
  ['lt-mod', 'Lithuanian Ministry of National Defence', 'LT'],
  ['ro-mod', 'Romanian Ministry of National Defence', 'RO'],
  ['dk-mod', 'Danish Ministry of Defence', 'DK'],
  ['es-mod', 'Spanish Ministry of Defence', 'ES'],
  ['nl-mod', 'Dutch Ministry of Defence', 'NL'],
  ['un-security-council', 'UN Security Council', undefined],
  ['dpr-authorities', 'Donetsk separatist authorities', 'UA'],
  ['lpr-authorities', 'Luhansk separatist authorities', 'UA'],
  ['ee-mod', 'Estonian Ministry of Defence', 'EE'],
  ['lv-mod', 'Latvian Ministry of Defence', 'LV'],
  ['tr-mfa', 'Turkish Ministry of Foreign Affairs', 'TR'],
  ['cn-mfa', 'Chinese Ministry of Foreign Affairs', 'CN'],
  ['us-congress', 'US Congress', 'US'],
  ['ru-security-council', 'Security Council of Russia', 'RU'],
  ['ua-general-staff', 'General Staff of the Armed Forces of Ukraine', 'UA'],
  ['ru-western-district', 'Russian Western Military District', 'RU'],
  ['ru-southern-district', 'Russian Southern Military District', 'RU'],
  ['us-eucom', 'US European Command', 'US'],
  ['nato-shape', 'SHAPE', undefined],
  ['uk-foreign-office', 'UK Foreign Office', 'GB'],
  ['ca-dnd', 'Canadian Department of National Defence', 'CA'],
] as const;

const LOCATIONS = [
  ['Kyiv', 'UA', 'Kyiv City', 50.45, 30.52],
  ['Moscow', 'RU', 'Moscow', 55.75, 37.62],
  ['Washington', 'US', 'District of Columbia', 38.9, -77.04],
  ['Brussels', 'BE', 'Brussels-Capital', 50.85, 4.35],
  ['Kharkiv', 'UA', 'Kharkiv Oblast', 49.99, 36.23],
  ['Donetsk', 'UA', 'Donetsk Oblast', 48.0, 37.8],
  ['Luhansk', 'UA', 'Luhansk Oblast', 48.57, 39.31],
  ['Mariupol', 'UA', 'Donetsk Oblast', 47.1, 37.55],
  ['Odesa', 'UA', 'Odesa Oblast', 46.48, 30.73],
  ['Minsk', 'BY', 'Minsk', 53.9, 27.56],
  ['Brest', 'BY', 'Brest Region', 52.1, 23.7],
  ['Gomel', 'BY', 'Gomel Region', 52.44, 30.98],
  ['Belgorod', 'RU', 'Belgorod Oblast', 50.6, 36.59],
  ['Voronezh', 'RU', 'Voronezh Oblast', 51.66, 39.2],
  ['Rostov-on-Don', 'RU', 'Rostov Oblast', 47.24, 39.71],
  ['Yelnya', 'RU', 'Smolensk Oblast', 54.58, 33.18],
  ['Kursk', 'RU', 'Kursk Oblast', 51.73, 36.19],
  ['Sevastopol', 'UA', 'Crimea', 44.6, 33.52],
  ['Simferopol', 'UA', 'Crimea', 44.95, 34.1],
  ['Geneva', 'CH', 'Geneva', 46.2, 6.14],
  ['Vienna', 'AT', 'Vienna', 48.21, 16.37],
  ['Warsaw', 'PL', 'Masovian Voivodeship', 52.23, 21.01],
  ['Rzeszów', 'PL', 'Subcarpathian Voivodeship', 50.04, 22.0],
  ['Vilnius', 'LT', 'Vilnius County', 54.69, 25.28],
  ['Constanța', 'RO', 'Constanța County', 44.18, 28.63],
  ['Bucharest', 'RO', 'Bucharest', 44.43, 26.1],
  ['Berlin', 'DE', 'Berlin', 52.52, 13.4],
  ['Paris', 'FR', 'Île-de-France', 48.86, 2.35],
  ['London', 'GB', 'England', 51.51, -0.13],
  ['Tallinn', 'EE', 'Harju County', 59.44, 24.75],
  ['Riga', 'LV', 'Riga', 56.95, 24.11],
  ['Chernihiv', 'UA', 'Chernihiv Oblast', 51.5, 31.3],
  ['Zaporizhzhia', 'UA', 'Zaporizhzhia Oblast', 47.84, 35.14],
  ['Lviv', 'UA', 'Lviv Oblast', 49.84, 24.03],
  ['Novorossiysk', 'RU', 'Krasnodar Krai', 44.72, 37.77],
  ['Pskov', 'RU', 'Pskov Oblast', 57.82, 28.33],
  ['Kaliningrad', 'RU', 'Kaliningrad Oblast', 54.71, 20.51],
  ['Bryansk', 'RU', 'Bryansk Oblast', 53.24, 34.36],
  ['Mazyr', 'BY', 'Gomel Region', 52.05, 29.25],
  ['Kramatorsk', 'UA', 'Donetsk Oblast', 48.72, 37.56],
] as const;

const OUTLETS = [
  ['Reuters', 'https://www.reuters.com/world/europe/'],
  ['Associated Press', 'https://apnews.com/hub/russia-ukraine'],
  ['BBC News', 'https://www.bbc.com/news/world-europe'],
  ['The New York Times', 'https://www.nytimes.com/section/world/europe'],
  ['The Washington Post', 'https://www.washingtonpost.com/world/europe/'],
  ['Kyiv Independent', 'https://kyivindependent.com/'],
  ['TASS', 'https://tass.com/politics'],
  ['Interfax', 'https://interfax.com/newsroom/top-stories/'],
  ['Ukrainska Pravda', 'https://www.pravda.com.ua/eng/news/'],
  ['Deutsche Welle', 'https://www.dw.com/en/europe/s-1433'],
  ['Le Monde', 'https://www.lemonde.fr/en/international/'],
  ['Financial Times', 'https://www.ft.com/world/europe'],
  ['Politico Europe', 'https://www.politico.eu/section/politics/'],
  ['Radio Free Europe', 'https://www.rferl.org/z/30556'],
  ['US Department of Defense', 'https://www.defense.gov/News/Releases/'],
  ['NATO', 'https://www.nato.int/cps/en/natohq/news.htm'],
  ['Kremlin', 'http://en.kremlin.ru/events/president/news'],
  ['Ukrainian Ministry of Defence', 'https://www.mil.gov.ua/en/news/'],
] as const;

const TAGS = [
  'nato',
  'us-troops',
  'kremlin',
  'donbas',
  'crimea',
  'belarus',
  'black-sea',
  'sanctions',
  'diplomacy',
  'gas',
  'nord-stream-2',
  'cyber',
  'evacuation',
  'exercises',
  'air-defence',
  'baltics',
  'eastern-flank',
  'security-guarantees',
  'osce',
  'minsk-agreements',
  'artillery',
  'shelling',
  'embassy',
  'intelligence',
  'satellite-imagery',
  'naval',
  'airborne',
  'reinforcements',
  'humanitarian',
  'martial-law',
] as const;

const STORIES = [
  'russia-ukraine-2022',
  'donbas-front',
  'belarus-exercises',
  'black-sea-fleet',
  'nato-eastern-flank',
  'gas-and-energy',
  'sanctions-track',
  'geneva-talks',
  'normandy-format',
  'embassy-evacuations',
  'cyber-front',
  'crimea-buildup',
  'baltic-reinforcement',
  'un-security-council',
  'osce-monitoring',
  'kremlin-statements',
  'us-deployments',
  'uk-arms-deliveries',
  'polish-border',
  'romania-deployment',
  'separatist-republics',
  'minsk-agreements',
  'intelligence-warnings',
  'humanitarian-corridors',
] as const;

const VERBS = [
  'reports',
  'confirms',
  'says',
  'warns',
  'announces',
  'denies',
  'signals',
  'claims',
  'indicates',
  'acknowledges',
  'disputes',
  'estimates',
] as const;
const OBJECTS = [
  'a build-up of armoured units',
  'new battalion tactical groups',
  'artillery positions near the line of contact',
  'field hospitals and fuel depots',
  'pontoon bridges over the river',
  'additional air-defence batteries',
  'landing ships transiting the Bosphorus',
  'long-range strike aircraft on alert',
  'rail convoys of tanks and self-propelled guns',
  'reserve mobilisation notices',
  'evacuation plans for diplomatic staff',
  'shelling along the contact line',
  'talks on security guarantees',
  'a package of financial sanctions',
  'a cyber attack on government websites',
  'an emergency session of the council',
  'troop rotations after the exercises',
  'helicopter units at forward airfields',
] as const;
const CONTEXT = [
  'according to officials briefed on the assessment',
  'citing commercial satellite imagery',
  'in a statement published overnight',
  'after a call between the two leaders',
  'as diplomats met for another round of talks',
  'while the alliance raised its readiness',
  'amid warnings of an imminent offensive',
  'despite earlier assurances from the ministry',
  'in remarks to reporters at the briefing',
  'as monitors recorded new ceasefire violations',
] as const;

/*
 * Ukrainian and Russian versions of VERBS, OBJECTS and CONTEXT, index for index (issue 16: one entry
 * in five is written in one of them, so bench:query measures search in each language). Synthetic
 * benchmark text, not dataset content.
 */
const VERBS_UK = [
  'повідомляє про',
  'підтверджує',
  'говорить про',
  'попереджає про',
  'оголошує',
  'заперечує',
  'сигналізує про',
  'стверджує про',
  'вказує на',
  'визнає',
  'оскаржує',
  'оцінює',
] as const;
const VERBS_RU = [
  'сообщает о',
  'подтверждает',
  'говорит о',
  'предупреждает о',
  'объявляет',
  'отрицает',
  'сигнализирует о',
  'утверждает о',
  'указывает на',
  'признаёт',
  'оспаривает',
  'оценивает',
] as const;
const OBJECTS_UK = [
  'нарощування бронетанкових підрозділів',
  'нові батальйонні тактичні групи',
  'артилерійські позиції біля лінії зіткнення',
  'польові шпиталі та склади пального',
  'понтонні мости через річку',
  'додаткові батареї протиповітряної оборони',
  'десантні кораблі в Босфорі',
  'далекі бомбардувальники в готовності',
  'залізничні ешелони з танками та самохідними гарматами',
  'повістки про мобілізацію резервістів',
  'плани евакуації дипломатів',
  'обстріли вздовж лінії зіткнення',
  'переговори про гарантії безпеки',
  'пакет фінансових санкцій',
  'кібератаку на урядові сайти',
  'надзвичайне засідання ради',
  'ротацію військ після навчань',
  'вертолітні підрозділи на передових аеродромах',
] as const;
const OBJECTS_RU = [
  'наращивание бронетанковых подразделений',
  'новые батальонные тактические группы',
  'артиллерийские позиции у линии соприкосновения',
  'полевые госпитали и склады горючего',
  'понтонные мосты через реку',
  'дополнительные батареи противовоздушной обороны',
  'десантные корабли в Босфоре',
  'дальние бомбардировщики в готовности',
  'железнодорожные эшелоны с танками и самоходными орудиями',
  'повестки о мобилизации резервистов',
  'планы эвакуации дипломатов',
  'обстрелы вдоль линии соприкосновения',
  'переговоры о гарантиях безопасности',
  'пакет финансовых санкций',
  'кибератаку на правительственные сайты',
  'чрезвычайное заседание совета',
  'ротацию войск после учений',
  'вертолётные подразделения на передовых аэродромах',
] as const;
const CONTEXT_UK = [
  'за словами поінформованих посадовців',
  'з посиланням на супутникові знімки',
  'у заяві, оприлюдненій уночі',
  'після розмови двох лідерів',
  'поки дипломати зустрілися на новий раунд переговорів',
  'поки альянс підвищував готовність',
  'на тлі попереджень про неминучий наступ',
  'попри попередні запевнення міністерства',
  'у коментарі журналістам на брифінгу',
  'поки спостерігачі фіксували нові порушення перемир’я',
] as const;
const CONTEXT_RU = [
  'по словам осведомлённых чиновников',
  'со ссылкой на спутниковые снимки',
  'в заявлении, опубликованном ночью',
  'после разговора двух лидеров',
  'пока дипломаты встретились на новый раунд переговоров',
  'пока альянс повышал готовность',
  'на фоне предупреждений о неизбежном наступлении',
  'несмотря на прежние заверения министерства',
  'в комментарии журналистам на брифинге',
  'пока наблюдатели фиксировали новые нарушения перемирия',
] as const;

/** The language of entry `i`'s summary: one in ten Ukrainian, one in ten Russian, the rest English. */
function languageOfItem(i: number): 'en' | 'uk' | 'ru' {
  return i % 10 === 3 ? 'uk' : i % 10 === 7 ? 'ru' : 'en';
}

/** How often each non-meta type appears (newsroom mix: statements and troop moves dominate). */
const TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  'statement.issued': 14,
  'troops.moved': 12,
  'concern.expressed': 10,
  'denial.issued': 7,
  'talks.held': 8,
  'negotiations.updated': 5,
  'deployment.announced': 7,
  'deployment.considered': 4,
  'readiness.raised': 5,
  'sanctions.announced': 6,
  'military.action': 6,
  'cyber.incident': 4,
  'emergency.declared': 2,
  'diplomat.expelled': 3,
  // Rare on purpose (twice in the real crisis): a selective type filter needs a selective type.
  'recognition.declared': 0.02,
};

/** A long tail of rarely named actors and minor stories (each ~0.01% of events), as real news has. */
const TAIL_ACTORS = 400;
const TAIL_STORIES = 200;
const TAIL_SHARE = 0.05;
const TAIL_STORY_SHARE = 0.03;

/** Share of events that are corrections / retractions of an earlier event of the same story. */
const CORRECTION_SHARE = 0.02;
const RETRACTION_SHARE = 0.005;

const START = Date.parse('2021-11-01T00:00:00Z');
const SPAN_MS = 120 * 86_400_000;

/** Options of {@link EnvelopeGenerator}. */
export interface EnvelopeGeneratorOptions {
  /** PRNG seed: the same seed and index always give the same envelope. @default 'timeline-bench-v1' */
  readonly seed?: string;
  /** Validate every envelope with `eventCatalogue.decode` (throws on the first invalid one). @default true */
  readonly validate?: boolean;
  /** Emit corrections/retractions of earlier events. @default true */
  readonly metaEvents?: boolean;
}

/**
 * Deterministic, realistic (~1 KB JSON) envelopes of the catalogue's types: 40 main actors plus a
 * tail of 400 rarely named ones, 40 places, 18 outlets, 30 tags, 24 main stories plus a tail of 200
 * minor ones (the story is the Kafka key, so every partition gets traffic), skewed the way news is
 * (a few actors dominate). Payloads start from each type's documented example with the
 * numbers varied. ~2% are corrections and ~0.5% retractions of an earlier event of the same story
 * (same key → same partition, so they apply in order and never wait in pending_corrections).
 */
export class EnvelopeGenerator {
  private readonly rnd: SeededRandom;
  private readonly defs: EventTypeDefinition[];
  private readonly weights: number[];
  private readonly totalWeight: number;
  private readonly validate: boolean;
  private readonly metaEvents: boolean;
  /** Recent regular events per story (targets of corrections), bounded. */
  private readonly recent = new Map<string, BenchEnvelope[]>();
  private index = 0;

  constructor(opts: EnvelopeGeneratorOptions = {}) {
    this.rnd = new SeededRandom(opts.seed ?? 'timeline-bench-v1');
    this.validate = opts.validate ?? true;
    this.metaEvents = opts.metaEvents ?? true;
    this.defs = eventCatalogue.definitions().filter((d) => !d.meta && TYPE_WEIGHTS[d.type] !== undefined);
    this.weights = this.defs.map((d) => TYPE_WEIGHTS[d.type]!);
    this.totalWeight = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The next envelope of the sequence. */
  next(): BenchEnvelope {
    const i = this.index++;
    const r = this.rnd.next();
    const story = this.rnd.next() < TAIL_STORY_SHARE ? `local-story-${this.rnd.int(1, TAIL_STORIES)}` : this.rnd.skewed(STORIES);
    const targets = this.recent.get(story);
    let env: BenchEnvelope;
    if (this.metaEvents && targets && targets.length > 0 && r < CORRECTION_SHARE + RETRACTION_SHARE) {
      env = r < CORRECTION_SHARE ? this.correction(i, this.rnd.pick(targets)) : this.retraction(i, targets);
    } else {
      env = this.regular(i, story);
      const list = targets ?? [];
      list.push(env);
      if (list.length > 50) list.shift();
      this.recent.set(story, list);
    }
    if (this.validate) {
      const d = eventCatalogue.decode(env);
      if (!d.ok) throw new Error(`envelope ${i} (${env.type}) is invalid: ${d.code} ${JSON.stringify(d.issues)}`);
    }
    return env;
  }

  /** The next `n` envelopes. */
  take(n: number): BenchEnvelope[] {
    return Array.from({ length: n }, () => this.next());
  }

  private pickType(): EventTypeDefinition {
    let x = this.rnd.next() * this.totalWeight;
    for (let k = 0; k < this.defs.length; k++) {
      x -= this.weights[k]!;
      if (x < 0) return this.defs[k]!;
    }
    return this.defs[this.defs.length - 1]!;
  }

  private regular(i: number, storyId: string): BenchEnvelope {
    const rnd = this.rnd;
    const def = this.pickType();
    // Occurrences spread over 120 days; recorded minutes to two days later, roughly in index order.
    const occurred = START + Math.floor((i / 1.0e6) * SPAN_MS * 0.2) + Math.floor(rnd.next() * SPAN_MS * 0.8);
    const precision = rnd.pick(['day', 'day', 'hour', 'minute'] as const);
    const occurredAt = truncate(occurred, precision);
    const recordedAt = new Date(Date.parse(occurredAt) + rnd.int(5, 2880) * 60_000 + rnd.int(0, 59_999)).toISOString();
    const actors: { id: string; name: string; country?: string; role: string }[] = rnd
      .some(ACTORS, rnd.int(2, 4), true)
      .map(([id, name, country], k) => ({
        id,
        name,
        ...(country ? { country } : {}),
        role: k === 0 ? 'subject' : rnd.pick(['target', 'spokesperson', 'reporter'] as const),
      }));
    if (rnd.next() < TAIL_SHARE) {
      const k = rnd.int(1, TAIL_ACTORS);
      actors.push({ id: `local-official-${k}`, name: `Local official ${k}`, role: 'spokesperson' });
    }
    const locations = rnd.some(LOCATIONS, rnd.int(1, 3), true).map(([name, country, admin1, lat, lon]) => ({
      name,
      country,
      admin1,
      lat: Math.round((lat + (rnd.next() - 0.5) * 0.2) * 1e4) / 1e4,
      lon: Math.round((lon + (rnd.next() - 0.5) * 0.2) * 1e4) / 1e4,
      geoPrecision: rnd.pick([1, 1, 2, 3] as const),
    }));
    const sources = rnd.some(OUTLETS, rnd.int(1, 3)).map(([outlet, url], k) => ({
      role: k === 0 ? rnd.pick(['primary', 'reporting'] as const) : rnd.pick(['quoted', 'reporting'] as const),
      outlet,
      url: `${url}${i.toString(36)}-${k}`,
      publishedAt: recordedAt,
    }));
    const subject = actors[0]!.name;
    const place = locations[0]!.name;
    // One draw per part whatever the language, so the rest of the sequence is the same as before.
    const [v, o, c] = [rnd.int(0, VERBS.length - 1), rnd.int(0, OBJECTS.length - 1), rnd.int(0, CONTEXT.length - 1)];
    const language = languageOfItem(i);
    const summary =
      language === 'uk'
        ? `${subject} ${VERBS_UK[v]} ${OBJECTS_UK[o]} біля ${place}, ${CONTEXT_UK[c]} (item ${i}).`
        : language === 'ru'
          ? `${subject} ${VERBS_RU[v]} ${OBJECTS_RU[o]} у ${place}, ${CONTEXT_RU[c]} (item ${i}).`
          : `${subject} ${VERBS[v]} ${OBJECTS[o]} near ${place}, ${CONTEXT[c]} (item ${i}).`;
    return {
      eventId: rnd.uuid(),
      type: def.type,
      schemaVersion: def.version,
      occurredAt,
      occurredAtPrecision: precision,
      ...(rnd.next() < 0.4 ? { occurredTz: rnd.pick(['Europe/Kyiv', 'Europe/Moscow', 'America/New_York', 'Europe/Brussels']) } : {}),
      recordedAt,
      storyId,
      actors,
      locations,
      sources,
      tags: rnd.some(TAGS, rnd.int(2, 5), true),
      confirmation: rnd.next() < 0.75 ? 'confirmed' : 'reported',
      summary,
      language,
      payload: this.payloadFor(def),
    };
  }

  private correction(i: number, target: BenchEnvelope): BenchEnvelope {
    const rnd = this.rnd;
    const summary = `${target.summary.replace(/ \(item \d+\)\.$/, '')} (corrected in item ${i}).`;
    return {
      ...this.meta(target, 'entry.corrected'),
      summary: 'Correction',
      payload: {
        targetEventId: target.eventId,
        severity: rnd.next() < 0.6 ? 'substantive' : 'minor',
        note: `Correction: an earlier version of this entry misstated a detail (item ${i}).`,
        replaces: { summary },
      },
    };
  }

  private retraction(i: number, targets: BenchEnvelope[]): BenchEnvelope {
    const target = targets.splice(Math.floor(this.rnd.next() * targets.length), 1)[0]!;
    return {
      ...this.meta(target, 'entry.retracted'),
      summary: 'Retraction',
      payload: { targetEventId: target.eventId, reason: `Withdrawn: the report could not be confirmed by a second source (item ${i}).` },
    };
  }

  private meta(target: BenchEnvelope, type: 'entry.corrected' | 'entry.retracted'): BenchEnvelope {
    const recordedAt = new Date(Date.parse(target.recordedAt) + this.rnd.int(30, 4320) * 60_000).toISOString();
    return {
      eventId: this.rnd.uuid(),
      type,
      schemaVersion: 1,
      occurredAt: recordedAt,
      occurredAtPrecision: 'minute',
      recordedAt,
      storyId: target.storyId,
      actors: [],
      locations: [],
      sources: [],
      tags: [],
      confirmation: 'confirmed',
      summary: '',
    };
  }

  /** The type's documented example with its whole numbers varied (ranges kept ordered). */
  private payloadFor(def: EventTypeDefinition): Record<string, unknown> {
    const example = (def.example ?? {}) as Record<string, unknown>;
    const factor = 0.5 + this.rnd.next() * 1.5;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(example)) {
      out[k] =
        typeof v === 'number' && Number.isInteger(v) && v > 1 && !/^notice|Days|durationMinutes|escalation/.test(k)
          ? Math.round(v * factor)
          : v;
    }
    return out;
  }
}

function truncate(ms: number, precision: 'day' | 'hour' | 'minute'): string {
  const unit = precision === 'day' ? 86_400_000 : precision === 'hour' ? 3_600_000 : 60_000;
  return new Date(Math.floor(ms / unit) * unit).toISOString();
}

/** The envelope as an editor would POST it to ingest: `recordedAt` is server-owned, so it is left out. */
export function ingestInput(env: BenchEnvelope): Record<string, unknown> {
  const { recordedAt: _recordedAt, ...input } = env;
  return input;
}
