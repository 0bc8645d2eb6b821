-- Docker only (docker-compose.yml): login roles for least privilege (docs/security.md). `cli db:roles`
-- (the compose service db-setup) then makes timeline_writer own the schema and gives timeline_reader
-- SELECT only. Example passwords — replace them in a real deployment.
CREATE ROLE timeline_writer LOGIN PASSWORD 'timeline_writer';
CREATE ROLE timeline_reader LOGIN PASSWORD 'timeline_reader';
