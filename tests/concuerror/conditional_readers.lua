-- Port of Concuerror's dpor_tests/src/conditional_readers.erl: two readers
-- that each read x and set y only if y is still 0.
-- concuerror: 8 interleavings, 8 errors
local ls = lockstep

ls.test("conditional_readers", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  local function reader()
    if ls.ets.lookup(t, "y")[1][2] == 0 then
      ls.ets.lookup(t, "x")
      ls.ets.insert(t, { "y", 1 })
    end
  end
  ls.spawn(reader)
  ls.spawn(reader)
  ls.receive()
end)
