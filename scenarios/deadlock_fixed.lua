-- Fixed twin of deadlock.lua: both clients take the locks in the same order.
local ls = lockstep

local function lock_server(name)
  ls.label(name)
  while true do
    local req = ls.receive(function(m) return m[1] == "acquire" end)
    ls.send(req[2], { "granted", name })
    ls.receive(function(m) return m[1] == "release" and m[2] == req[2] end)
  end
end

local function with_locks(locks, body)
  for _, l in ipairs(locks) do
    ls.send(l, { "acquire", ls.self() })
    ls.receive(function(m) return m[1] == "granted" end)
  end
  body()
  for _, l in ipairs(locks) do ls.send(l, { "release", ls.self() }) end
end

ls.test("two clients taking two locks finish", { strategy = "pct", iterations = 2000 }, function()
  local l1 = ls.spawn(lock_server, "L1")
  local l2 = ls.spawn(lock_server, "L2")
  local parent = ls.self()
  ls.spawn(function() with_locks({ l1, l2 }, function() end); ls.send(parent, "done") end)
  ls.spawn(function() with_locks({ l1, l2 }, function() end); ls.send(parent, "done") end)
  ls.receive(function(m) return m == "done" end)
  ls.receive(function(m) return m == "done" end)
end)
