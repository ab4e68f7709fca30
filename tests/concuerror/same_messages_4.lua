-- Port of Concuerror's dpor_tests/src/same_messages_4.erl: two children
-- send unlock to the root, one of them after writing foo; the root takes
-- the first unlock and expects foo to be written (it is not when the other
-- child's unlock came first). The root awaits each child's DOWN when it
-- passes (see independent_receivers.lua).
-- concuerror: 4 interleavings, 2 errors
-- lockstep: 3 schedules, 1 failing
--   A lockstep iteration ends when its root fails. Concuerror runs the
--   other processes on: the root's exit deletes the table it owns, and the
--   writer's insert before or after that deletion is one more interleaving
--   (an error too: the insert fails).
local ls = lockstep

ls.test("same_messages_4", function()
  local t = ls.ets.new("table", { access = "public" })
  local p = ls.self()
  local function child(write)
    if write then ls.ets.insert(t, { "foo" }) end
    ls.send(p, "unlock")
  end
  local _, r1 = ls.spawn_monitor(child, true)
  local _, r2 = ls.spawn_monitor(child, false)
  ls.receive(function(m) return m == "unlock" end)
  assert(#ls.ets.lookup(t, "foo") > 0, "foo is not written")
  for _, r in ipairs({ r1, r2 }) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == r end)
  end
end)
