-- Fixed twin of stale_cache.lua: the server updates the cache and waits for
-- its acknowledgement before acknowledging the write, so every read that
-- starts after a write completed sees it.
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
    if m[1] == "update" then
      value = m[2]
      ls.send(m[3], "updated")
    else
      ls.send(m[3], { m[2], value })
    end
  end
end

local function server_proc(cache)
  ls.label("server")
  local value = 0
  while true do
    local m = ls.receive(function(m) return type(m[1]) == "table" end)
    value = m[1][2]
    ls.send(cache, { "update", value, ls.self() })
    ls.receive(function(x) return x == "updated" end)
    ls.send(m[3], { m[2], "ok" })
  end
end

ls.test("reads through the cache are linearizable", { strategy = "pct", iterations = 2000 }, function()
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
