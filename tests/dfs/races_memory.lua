-- A long execution full of races: under dfs its wakeup trees grow with the
-- square of its length, so the search stops at max_memory with an error.
local ls = lockstep
ls.test("two writers of 2000 keys", {max_steps = 100000}, function()
  local t = ls.ets.new("t", {type = "set", access = "public"})
  for w = 1, 2 do
    ls.spawn(function()
      for i = 1, 2000 do ls.ets.insert(t, {i, w}) end
    end)
  end
end)
