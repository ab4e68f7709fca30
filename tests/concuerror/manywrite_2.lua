-- Port of Concuerror's dpor_tests/src/manywrite_2.erl: four pairs of
-- writers; each first writes a key of its own (which races with nothing).
-- concuerror: 16 interleavings, 16 errors
local ls = lockstep

ls.test("manywrite_2", function()
  local t = ls.ets.new("table", { access = "public" })
  for _, k in ipairs({ "w", "x", "y", "z" }) do ls.ets.insert(t, { k, 0 }) end
  local writes = { { "w", 1 }, { "x", 1 }, { "y", 1 }, { "x", 2 }, { "y", 2 }, { "z", 1 }, { "z", 2 }, { "w", 2 } }
  for i, w in ipairs(writes) do
    ls.spawn(function()
      ls.ets.insert(t, { "cover" .. i, "ok" })
      ls.ets.insert(t, w)
    end)
  end
  ls.receive()
end)
