-- Fixed twin of supervisor_restart.lua: the client resolves the name and,
-- while the worker is being restarted, backs off and tries again.
local ls = lockstep

local function worker()
  return ls.spawn_link(function()
    ls.register("worker", ls.self())
    while true do
      local m = ls.receive()
      if m == "poison" then error("worker died on poison") end
    end
  end)
end

local function send_when_up(name, msg)
  while true do
    local pid = ls.whereis(name)
    if pid then
      ls.send(pid, msg) -- to a pid: dropped if it just died, never raises
      return
    end
    ls.sleep(1)
  end
end

ls.test("the client can always reach the worker", { strategy = "pct", iterations = 2000 }, function()
  ls.supervisor.start({ { id = "worker", start = worker } }, { max_restarts = 5 })
  ls.sleep(1)
  local client = ls.spawn(function()
    ls.label("client")
    for i = 1, 3 do send_when_up("worker", { "job", i }) end
  end)
  local ref = ls.monitor(client)
  ls.send("worker", "poison")
  ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end)
end)
