-- A publisher dispatches before its subscribers register.
--
-- Subscribers register under a topic in a duplicate registry, then wait
-- for a message; the publisher dispatches to everyone registered. Nothing
-- orders the registrations before the dispatch, so a subscriber that
-- registers late never gets its message: a deadlock. The fixed twin
-- (registry_race_fixed.lua) has each subscriber confirm its registration
-- and the publisher wait for all confirmations.
local ls = lockstep

ls.test("every subscriber receives the news", { strategy = "pct", iterations = 300 }, function()
  local reg = ls.registry.start({ keys = "duplicate" })
  local parent = ls.self()
  for i = 1, 2 do
    ls.spawn(function()
      ls.label("subscriber" .. i)
      ls.registry.register(reg, "news", i)
      local m = ls.receive(function(m) return m[1] == "news" end)
      ls.send(parent, { "got", i, m[2] })
    end)
  end
  ls.spawn(function()
    ls.label("publisher")
    ls.registry.dispatch(reg, "news", function(entries)
      for _, e in ipairs(entries) do ls.send(e[1], { "news", "hello" }) end
    end)
  end)
  ls.receive(); ls.receive()
end)
