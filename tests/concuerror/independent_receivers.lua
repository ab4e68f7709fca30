-- Port of Concuerror's dpor_tests/src/independent_receivers.erl: two
-- receivers, each woken by its own sender, report to the root in either
-- order. A Concuerror test ends when every process has ended; a lockstep
-- test ends when its root returns, so here the root also awaits each
-- child's DOWN (its receives of the reports do not match DOWN messages).
-- concuerror: 2 interleavings, 0 errors
local ls = lockstep

local function not_down(m) return not (type(m) == "table" and m[1] == "DOWN") end

ls.test("independent_receivers", function()
  local parent = ls.self()
  local refs = {}
  local function spawn(fn, ...)
    local pid, ref = ls.spawn_monitor(fn, ...)
    refs[#refs + 1] = ref
    return pid
  end
  local function receiver(n)
    ls.receive(function(m) return m == "ok" end)
    ls.send(parent, n)
  end
  local rec1 = spawn(receiver, 1)
  local rec2 = spawn(receiver, 2)
  spawn(function() ls.send(rec1, "ok") end)
  spawn(function() ls.send(rec2, "ok") end)
  ls.receive(not_down)
  ls.receive(not_down)
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
