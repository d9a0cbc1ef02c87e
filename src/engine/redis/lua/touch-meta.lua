-- Keeps a subscribed channel's position alive: its meta's TTL starts again (the TTL stored in it).
-- Never creates a meta: a lost one stays lost, so its epoch changes.
--
-- KEYS[1] meta   P.meta.{t}
-- Returns 1 when the meta exists, else 0.
local ttl = redis.call('HGET', KEYS[1], 't')
if not ttl then return 0 end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
