-- Port of Concuerror's dpor_tests/src/receive_order.erl, test3: P takes a,
-- then b, then anything (which must be c); one sender sends b, another c
-- and then a. Each receive's pattern leaves one order only.
-- The root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 1 interleavings, 0 errors
local ls = lockstep

ls.test("receive_order test3", function()
  local refs = {}
  local function spawn(fn)
    local pid, ref = ls.spawn_monitor(fn)
    refs[#refs + 1] = ref
    return pid
  end
  local p = spawn(function()
    ls.receive(function(m) return m == "a" end)
    ls.receive(function(m) return m == "b" end)
    assert(ls.receive() == "c")
  end)
  spawn(function() ls.send(p, "b") end)
  spawn(function()
    ls.send(p, "c")
    ls.send(p, "a")
  end)
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
