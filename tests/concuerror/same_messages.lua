-- Port of Concuerror's dpor_tests/src/same_messages.erl: two senders send
-- the same message to the root; the two orders are explored (messages are
-- not compared by value). The root also awaits each child's DOWN (see
-- independent_receivers.lua).
-- concuerror: 2 interleavings, 0 errors
local ls = lockstep

local function not_down(m) return not (type(m) == "table" and m[1] == "DOWN") end

ls.test("same_messages", function()
  local parent = ls.self()
  local refs = {}
  for i = 1, 2 do
    local _, ref = ls.spawn_monitor(function() ls.send(parent, "one") end)
    refs[i] = ref
  end
  local one = ls.receive(not_down)
  local two = ls.receive(not_down)
  assert(one == "one" and two == "one")
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
