-- Removes one connection's presence entry (after presence-purge.lua).
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- ARGV[2] client id
-- Returns 1 when the entry existed, else 0.
if forget(ARGV[2]) then return 1 end
return 0
