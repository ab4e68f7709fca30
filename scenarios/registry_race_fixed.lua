-- Fixed twin of registry_race.lua: subscribers confirm their registration,
-- and the publisher dispatches only after every confirmation.
local ls = lockstep

ls.test("every subscriber receives the news", { strategy = "pct", iterations = 2000 }, function()
  local reg = ls.registry.start({ keys = "duplicate" })
  local parent = ls.self()
  local publisher = ls.spawn(function()
    ls.label("publisher")
    ls.receive(function(m) return m == "subscribed" end)
    ls.receive(function(m) return m == "subscribed" end)
    ls.registry.dispatch(reg, "news", function(entries)
      for _, e in ipairs(entries) do ls.send(e[1], { "news", "hello" }) end
    end)
  end)
  for i = 1, 2 do
    ls.spawn(function()
      ls.label("subscriber" .. i)
      ls.registry.register(reg, "news", i)
      ls.send(publisher, "subscribed")
      local m = ls.receive(function(m) return m[1] == "news" end)
      ls.send(parent, { "got", i, m[2] })
    end)
  end
  ls.receive(); ls.receive()
end)
