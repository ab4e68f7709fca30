-- No warning: state kept in a process and passed in messages; a closure
-- that mutates only its own upvalue; an invariant that observes a local
-- one process writes; a helper at the top level.
local ls = lockstep

local function counter()
  local n = 0
  return function() n = n + 1; return n end
end

ls.test("message passing only", function()
  local parent = ls.self()
  local state = { value = 0 }
  ls.invariant("never negative", function() return state.value >= 0 end)
  local server = ls.spawn(function()
    while true do
      local m = ls.receive()
      state.value = state.value + m.add
      ls.send(m.from, state.value)
    end
  end)
  local next_id = counter()
  ls.send(server, { add = next_id(), from = parent })
  local v = ls.receive(function(m) return type(m) == "number" end)
  assert(v == 1)
end)
