-- Fixed twin of lost_wakeup.lua: the consumer records itself as the waiter
-- first and checks for the item after, so either it sees the item or the
-- producer sees it waiting. (An extra wake-up may arrive; it is harmless.)
local ls = lockstep

ls.test("the consumer always gets the item", { strategy = "pct", iterations = 2000 }, function()
  local shared = ls.ets.new("shared", { access = "public" })
  local parent = ls.self()
  ls.spawn(function()
    ls.label("consumer")
    ls.ets.insert(shared, { "waiter", ls.self() })
    if not ls.ets.member(shared, "item") then
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
