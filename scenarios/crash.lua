-- A crash in an unlinked process is a bug.
--
-- A worker asks the config server for its settings. A loader stores them,
-- but nothing orders the loader before the worker: when the worker asks
-- first it gets nil and crashes on `cfg.limit`. Nobody is linked to it, so
-- lockstep reports the crash. The fixed twin (crash_fixed.lua) runs the
-- worker linked to a parent that traps exits and retries: a trapped crash
-- is handled, not a bug.
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

ls.test("the worker reads the loaded config", { strategy = "random", iterations = 200 }, function()
  local config = ls.spawn(config_server)
  ls.spawn(function() ls.send(config, { "put", { limit = 5 } }) end)
  ls.spawn(worker, config, ls.self())
  local r = ls.receive(function(m) return m[1] == "result" end)
  assert(r[2] == 10)
end)
