-- A lost update through an ETS table: lookup, then insert.
--
-- Two workers each read a hit counter and write back the value plus one.
-- When both read before either writes, one hit is lost. The fixed twin
-- (ets_lost_update_fixed.lua) uses ets.update_counter, one atomic step.
local ls = lockstep

ls.test("two workers counting hits end at 2", { strategy = "pos", iterations = 200 }, function()
  local hits = ls.ets.new("hits", { access = "public" })
  ls.ets.insert(hits, { "page", 0 })
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      local n = ls.ets.lookup_element(hits, "page", 2)
      ls.ets.insert(hits, { "page", n + 1 })
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
  local total = ls.ets.lookup_element(hits, "page", 2)
  if total ~= 2 then error("lost update; hits is " .. total) end
end)
