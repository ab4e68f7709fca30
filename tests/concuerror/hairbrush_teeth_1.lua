-- Port of Concuerror's dpor_tests/src/hairbrush_teeth_1.erl: a writer of 2 values and
-- a reader that reads 2 times; the classes are the ways to interleave them.
-- concuerror: 6 interleavings, 6 errors
local ls = lockstep

ls.test("hairbrush_teeth_1", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.spawn(function()
    for v = 1, 2 do ls.ets.insert(t, { "x", v }) end
  end)
  ls.spawn(function()
    for _ = 1, 2 do ls.ets.lookup(t, "x") end
  end)
  ls.receive()
end)
