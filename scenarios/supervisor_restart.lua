-- A supervisor restarts a named worker while a client sends to the name.
--
-- The worker crashes on a poison message; its supervisor restarts it and
-- it registers its name again. In between, the name is not registered, and
-- sending to an unregistered name raises (as in Erlang): the client crashes.
-- The fixed twin (supervisor_restart_fixed.lua) looks the name up and
-- retries after a short back-off when the worker is between lives.
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

ls.test("the client can always reach the worker", { strategy = "pct", iterations = 300, allow_crashes = false },
  function()
    ls.supervisor.start({ { id = "worker", start = worker } }, { max_restarts = 5 })
    ls.sleep(1) -- the worker is up
    local client = ls.spawn(function()
      ls.label("client")
      for i = 1, 3 do ls.send("worker", { "job", i }) end
    end)
    local ref = ls.monitor(client)
    ls.send("worker", "poison")
    ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end)
  end)
