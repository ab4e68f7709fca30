-- Port of Concuerror's dpor_tests/src/last_zero.erl (N = 5): a reader walks
-- down the array looking for the last zero while writers increment cells.
-- concuerror: 64 interleavings, 64 errors
local ls = lockstep
local N = 5

ls.test("last_zero", function()
  local t = ls.ets.new("table", { access = "public" })
  for x = 0, N do ls.ets.insert(t, { x, 0 }) end
  ls.spawn(function()
    local n = N
    while n > 0 and ls.ets.lookup(t, n)[1][2] ~= 0 do n = n - 1 end
  end)
  for x = 1, N do
    ls.spawn(function()
      local r = ls.ets.lookup(t, x - 1)[1][2]
      ls.ets.insert(t, { x, r + 1 })
    end)
  end
  ls.receive()
end)
