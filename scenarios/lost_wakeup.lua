-- A lost wake-up: check, then wait.
--
-- The consumer looks for an item in a shared table; finding none, it
-- records itself as the waiter and waits for a wake-up. The producer stores
-- the item, then wakes the recorded waiter, if any. When the producer runs
-- between the consumer's check and its registration, the wake-up goes to
-- nobody and the consumer waits forever: a deadlock. The fixed twin
-- (lost_wakeup_fixed.lua) registers the waiter before checking.
local ls = lockstep

ls.test("the consumer always gets the item", { strategy = "pct", iterations = 300 }, function()
  local shared = ls.ets.new("shared", { access = "public" })
  local parent = ls.self()
  ls.spawn(function()
    ls.label("consumer")
    if not ls.ets.member(shared, "item") then
      ls.ets.insert(shared, { "waiter", ls.self() })
      ls.receive(function(m) return m == "wake" end)
    end
    ls.send(parent, ls.ets.lookup_element(shared, "item", 2))
  end)
  ls.spawn(function()
    ls.label("producer")
    ls.ets.insert(shared, { "item", 42 })
    local w = ls.ets.lookup(shared, "waiter")[1]
    if w then ls.send(w[2], "wake") end
  end)
  assert(ls.receive() == 42)
end)
