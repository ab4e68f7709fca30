-- An invariant broken between steps: no account may be overdrawn.
--
-- Two clients each check the balance, then withdraw 70 from an account
-- holding 100. Check-then-act across two messages lets both checks pass
-- before either withdrawal. The invariant is checked after every step, so
-- lockstep stops at the step that overdraws, not at the end of the test.
-- The fixed twin checks and withdraws in one message.
local ls = lockstep

ls.test("no account is overdrawn", { strategy = "pos", iterations = 300 }, function()
  local balance = { acct = 100 } -- observed by the invariant
  ls.invariant("balance is never negative", function() return balance.acct >= 0 end)

  local account = ls.spawn(function()
    ls.label("account")
    while true do
      local m = ls.receive()
      if m[1] == "balance" then
        ls.send(m[2], { "balance", balance.acct })
      elseif m[1] == "withdraw" then
        balance.acct = balance.acct - m[2]
        ls.send(m[3], { "ok" })
      end
    end
  end)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      ls.send(account, { "balance", ls.self() })
      local b = ls.receive()[2]
      if b >= 70 then
        ls.send(account, { "withdraw", 70, ls.self() })
        ls.receive()
      end
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
end)
