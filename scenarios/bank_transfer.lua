-- Bank transfers over an ETS table; an invariant checks the total.
--
-- Each transfer reads both balances and writes both back in one atomic
-- insert, so a single transfer keeps the total. Two concurrent transfers
-- sharing an account (A -> B and B -> C) can both read B before either
-- writes: the second write is computed from a stale balance and money
-- appears from nowhere. The invariant "the total is 300" fails at the step
-- that writes it. The fixed twin (bank_transfer_fixed.lua) sends transfers
-- to one bank process, the only writer.
local ls = lockstep

local function transfer(accounts, from, to, amount)
  local a = ls.ets.lookup_element(accounts, from, 2)
  local b = ls.ets.lookup_element(accounts, to, 2)
  ls.ets.insert(accounts, { { from, a - amount }, { to, b + amount } })
end

ls.test("transfers keep the total", { strategy = "pos", iterations = 300 }, function()
  local accounts = ls.ets.new("accounts", { access = "public" })
  ls.ets.insert(accounts, { { "A", 100 }, { "B", 100 }, { "C", 100 } })
  ls.invariant("the total is 300", function()
    local total = 0
    for _, row in ipairs(ls.ets.tab2list(accounts)) do total = total + row[2] end
    return total == 300
  end)
  local parent = ls.self()
  ls.spawn(function() transfer(accounts, "A", "B", 30); ls.send(parent, "done") end)
  ls.spawn(function() transfer(accounts, "B", "C", 50); ls.send(parent, "done") end)
  ls.receive(); ls.receive()
end)
