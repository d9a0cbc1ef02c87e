-- Counts live connections and distinct users (after presence-purge.lua): two HLENs.
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- Returns {clients, users}.
return {redis.call('HLEN', KEYS[1]), redis.call('HLEN', KEYS[3])}
