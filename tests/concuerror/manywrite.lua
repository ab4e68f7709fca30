-- Port of Concuerror's dpor_tests/src/manywrite.erl: two pairs of writers
-- of two keys; each writer then blocks forever.
-- concuerror: 4 interleavings, 4 errors
local ls = lockstep

ls.test("manywrite", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  for _, w in ipairs({ { "x", 1 }, { "x", 2 }, { "y", 1 }, { "y", 2 } }) do
    ls.spawn(function()
      ls.ets.insert(t, w)
      ls.receive()
    end)
  end
  ls.receive()
end)
