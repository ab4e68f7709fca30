-- Fixed twin of ets_lost_update.lua: update_counter reads and writes in one
-- atomic step.
local ls = lockstep

ls.test("two workers counting hits end at 2", { strategy = "pos", iterations = 2000 }, function()
  local hits = ls.ets.new("hits", { access = "public" })
  ls.ets.insert(hits, { "page", 0 })
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      ls.ets.update_counter(hits, "page", 1)
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
  local total = ls.ets.lookup_element(hits, "page", 2)
  if total ~= 2 then error("lost update; hits is " .. total) end
end)
