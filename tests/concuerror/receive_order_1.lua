-- Port of Concuerror's dpor_tests/src/receive_order.erl, test1: P takes a,
-- then anything (which must be b); a and b come from two senders. The
-- receive of a cannot take b, so the order of the sends does not matter.
-- The root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 1 interleavings, 0 errors
local ls = lockstep

ls.test("receive_order test1", function()
  local refs = {}
  local function spawn(fn)
    local pid, ref = ls.spawn_monitor(fn)
    refs[#refs + 1] = ref
    return pid
  end
  local p = spawn(function()
    ls.receive(function(m) return m == "a" end)
    assert(ls.receive() == "b")
  end)
  spawn(function() ls.send(p, "a") end)
  spawn(function() ls.send(p, "b") end)
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
