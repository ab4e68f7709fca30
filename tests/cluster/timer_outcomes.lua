-- Where a timer's message lands among a process's messages. With
-- `timers = "any"` a timer may fire at any point after it is armed, so all
-- three orders occur; in quiescent mode only the last. One test per
-- outcome: an exhaustive search must reach every outcome random sampling
-- reaches.
local ls = lockstep
local function program()
  local root = ls.self()
  ls.send_after(root, "t", 10)
  ls.spawn(function() ls.send(root, "a"); ls.send(root, "b") end)
  return ls.receive() .. ls.receive() .. ls.receive()
end
for _, x in ipairs({ "tab", "atb", "abt" }) do
  ls.test("outcome is not [" .. x .. "]", function() assert(program() ~= x) end)
end
-- A receive with a timeout: the timeout may win against a reply that is
-- on its way, or lose.
local function call()
  local root = ls.self()
  local server = ls.spawn(function()
    local m = ls.receive()
    ls.send(m, "reply")
  end)
  ls.send(server, root)
  return ls.receive(nil, 50) or "timeout"
end
for _, x in ipairs({ "reply", "timeout" }) do
  ls.test("call: outcome is not [" .. x .. "]", function() assert(call() ~= x) end)
end
