-- Removes one connection's presence entry (after presence-purge.lua).
--
-- KEYS[1..3] as in presence-purge.lua
-- ARGV[1] now, ms
-- ARGV[2] client id
-- Returns 1 when the entry existed, else 0.
if forget(ARGV[2]) then return 1 end
return 0
