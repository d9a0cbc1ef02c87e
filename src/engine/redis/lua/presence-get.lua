-- Lists live presence entries (after presence-purge.lua).
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- Returns {client id, info JSON, ...}.
return redis.call('HGETALL', KEYS[1])
