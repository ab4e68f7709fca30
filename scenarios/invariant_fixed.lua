-- Fixed twin of invariant.lua: the account checks the balance and withdraws
-- in the same message, so the invariant holds in every interleaving.
local ls = lockstep

ls.test("no account is overdrawn", { strategy = "pos", iterations = 2000 }, function()
  local balance = { acct = 100 }
  ls.invariant("balance is never negative", function() return balance.acct >= 0 end)

  local account = ls.spawn(function()
    ls.label("account")
    while true do
      local m = ls.receive()
      if m[1] == "withdraw" then
        if balance.acct >= m[2] then
          balance.acct = balance.acct - m[2]
          ls.send(m[3], { "ok" })
        else
          ls.send(m[3], { "insufficient" })
        end
      end
    end
  end)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      ls.send(account, { "withdraw", 70, ls.self() })
      ls.receive()
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
end)
