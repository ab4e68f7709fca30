-- A register server with a stale read cache: not linearizable.
--
-- Writes go to the server, which acknowledges them and then tells the
-- cache; reads are served by the cache. A read that starts after a write
-- completed can still see the old value. Clients record their operations in
-- an ls.history and the test checks it with ls.checker.linearizable: the
-- failure message is the checker's explanation (what could not be placed,
-- after which prefix). The fixed twin (stale_cache_fixed.lua) acknowledges
-- a write only once the cache holds the new value.
local ls = lockstep

local function call(server, request)
  local ref = ls.make_ref()
  ls.send(server, { request, ref, ls.self() })
  return ls.receive(function(m) return m[1] == ref end)[2]
end

local function cache_proc()
  ls.label("cache")
  local value = 0
  while true do
    local m = ls.receive()
    if m[1] == "update" then value = m[2] else ls.send(m[3], { m[2], value }) end
  end
end

local function server_proc(cache)
  ls.label("server")
  local value = 0
  while true do
    local m = ls.receive()
    value = m[1][2]
    ls.send(m[3], { m[2], "ok" })   -- acknowledged ...
    ls.send(cache, { "update", value }) -- ... before the cache is updated
  end
end

ls.test("reads through the cache are linearizable", { strategy = "pct", iterations = 200 }, function()
  local h = ls.history.new()
  local cache = ls.spawn(cache_proc)
  local server = ls.spawn(server_proc, cache)
  local parent = ls.self()
  ls.spawn(function()
    for v = 1, 2 do h:op("write", v, function() return call(server, { "write", v }) end) end
    ls.send(parent, "done")
  end)
  ls.spawn(function()
    for _ = 1, 2 do h:op("read", nil, function() return call(cache, { "read" }) end) end
    ls.send(parent, "done")
  end)
  ls.receive(); ls.receive()
  local ok, info = ls.checker.linearizable(h:events(), ls.model.register(0))
  if not ok then error(info.explanation, 0) end
end)
