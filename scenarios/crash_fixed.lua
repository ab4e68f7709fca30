-- Fixed twin of crash.lua: the worker is linked to a parent that traps
-- exits. Its crash arrives as an {"EXIT", pid, reason} message and the
-- parent retries; the crash is handled, so it is not a bug.
local ls = lockstep

local function config_server()
  ls.label("config")
  local cfg = nil
  while true do
    local m = ls.receive()
    if m[1] == "put" then
      cfg = m[2]
    elseif m[1] == "get" then
      ls.send(m[2], { "config", cfg })
    end
  end
end

local function worker(config, parent)
  ls.label("worker")
  ls.send(config, { "get", ls.self() })
  local cfg = ls.receive(function(m) return m[1] == "config" end)[2]
  ls.send(parent, { "result", cfg.limit * 2 })
end

ls.test("the worker reads the loaded config", { strategy = "random", iterations = 2000 }, function()
  ls.trap_exit(true)
  local config = ls.spawn(config_server)
  ls.spawn(function() ls.send(config, { "put", { limit = 5 } }) end)
  while true do
    local w = ls.spawn_link(worker, config, ls.self())
    local m = ls.receive(function(m)
      return m[1] == "result" or (m[1] == "EXIT" and m[2] == w and m[3] ~= "normal")
    end)
    if m[1] == "result" then
      assert(m[2] == 10)
      return
    end
    ls.sleep(10) -- the worker crashed: back off, then retry
  end
end)
