-- Port of Concuerror's dpor_tests/src/indifferent_senders.erl: three
-- senders race to the root, which takes their messages in a fixed order by
-- pattern, so no order of the sends matters. The root also awaits each
-- child's DOWN (see independent_receivers.lua).
-- concuerror: 1 interleavings, 0 errors
local ls = lockstep

ls.test("indifferent_senders", function()
  local parent = ls.self()
  local messages = { "msg1", "msg2", "msg3" }
  local refs = {}
  for _, msg in ipairs(messages) do
    local _, ref = ls.spawn_monitor(function() ls.send(parent, msg) end)
    refs[#refs + 1] = ref
  end
  for _, msg in ipairs(messages) do
    ls.receive(function(m) return m == msg end)
  end
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
