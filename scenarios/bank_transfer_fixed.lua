-- Fixed twin of bank_transfer.lua: one bank process owns the table and
-- applies transfers one at a time; clients send requests and wait.
local ls = lockstep

local function bank(accounts)
  ls.label("bank")
  while true do
    local req = ls.receive()
    local a = ls.ets.lookup_element(accounts, req.from, 2)
    local b = ls.ets.lookup_element(accounts, req.to, 2)
    ls.ets.insert(accounts, { { req.from, a - req.amount }, { req.to, b + req.amount } })
    ls.send(req.reply_to, "ok")
  end
end

ls.test("transfers keep the total", { strategy = "pos", iterations = 2000 }, function()
  local parent = ls.self()
  local accounts
  local b = ls.spawn(function()
    accounts = ls.ets.new("accounts") -- protected: only the bank writes
    ls.ets.insert(accounts, { { "A", 100 }, { "B", 100 }, { "C", 100 } })
    ls.send(parent, "open")
    bank(accounts)
  end)
  ls.receive(function(m) return m == "open" end)
  ls.invariant("the total is 300", function()
    local total = 0
    for _, row in ipairs(ls.ets.tab2list(accounts)) do total = total + row[2] end
    return total == 300
  end)
  ls.spawn(function() ls.send(b, { from = "A", to = "B", amount = 30, reply_to = ls.self() }); ls.receive(); ls.send(parent, "done") end)
  ls.spawn(function() ls.send(b, { from = "B", to = "C", amount = 50, reply_to = ls.self() }); ls.receive(); ls.send(parent, "done") end)
  ls.receive(function(m) return m == "done" end)
  ls.receive(function(m) return m == "done" end)
end)
