/**
 * The client of a request, as its socket's peer address (trust proxy is off): `::ffff:127.0.0.1`
 * and `127.0.0.1` are one client.
 */
export function clientAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}
