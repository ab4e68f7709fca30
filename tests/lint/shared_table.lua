-- shared-local: workers spawned in a loop fill one Lua table. Line 9 is flagged.
local ls = lockstep

ls.test("workers fill a table", function()
  local results = {}
  local parent = ls.self()
  for i = 1, 3 do
    ls.spawn(function()
      results[i] = i * i
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 3 do ls.receive() end
end)
