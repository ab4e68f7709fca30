-- Port of Concuerror's dpor_tests/src/two_writers_readers_1.erl: one process
-- writes x twice, two readers read y (no writer) and then x.
-- concuerror: 9 interleavings, 9 errors
local ls = lockstep

ls.test("two_writers_readers_1", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(function()
    ls.ets.insert(t, { "x", 1 })
    ls.ets.insert(t, { "x", 2 })
  end)
  local function reader()
    ls.ets.lookup(t, "y")
    ls.ets.lookup(t, "x")
  end
  ls.spawn(reader)
  ls.spawn(reader)
  ls.receive()
end)
