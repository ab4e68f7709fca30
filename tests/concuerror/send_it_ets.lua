-- Port of Concuerror's dpor_tests/src/send_it_ets.erl: two children send ok
-- to the root, one of them after writing x; the root takes the first ok
-- and fails if x is not written. The root awaits each child's DOWN when it
-- passes (see independent_receivers.lua).
-- concuerror: 4 interleavings, 2 errors
-- lockstep: 3 schedules, 1 failing
--   A lockstep iteration ends when its root fails. Concuerror runs the
--   other processes on: the root's exit deletes the table it owns, and the
--   writer's insert before or after that deletion is one more interleaving
--   (an error too: the insert fails).
local ls = lockstep

ls.test("send_it_ets", function()
  local parent = ls.self()
  local t = ls.ets.new("table", { access = "public" })
  local _, r1 = ls.spawn_monitor(function()
    ls.ets.insert(t, { "x", 1 })
    ls.send(parent, "ok")
  end)
  local _, r2 = ls.spawn_monitor(function() ls.send(parent, "ok") end)
  ls.receive(function(m) return m == "ok" end)
  if #ls.ets.lookup(t, "x") == 0 then error("boom") end
  for _, r in ipairs({ r1, r2 }) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == r end)
  end
end)
