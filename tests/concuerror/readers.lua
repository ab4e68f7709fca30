-- Port of Concuerror's dpor_tests/src/readers.erl (N = 6): one writer, six
-- readers of the written key (each also reads a key of its own).
-- concuerror: 64 interleavings, 64 errors
local ls = lockstep
local N = 6

ls.test("readers", function()
  local t = ls.ets.new("tab", { access = "public" })
  ls.spawn(function() ls.ets.insert(t, { "x", 42 }) end)
  for i = 1, N do
    ls.spawn(function()
      ls.ets.lookup(t, i)
      ls.ets.lookup(t, "x")
    end)
  end
  ls.receive()
end)
