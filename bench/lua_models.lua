-- ls.checker on a register history built in a scenario: the built-in model
-- (the engine's, as `lockstep check` uses on files) against the same
-- register written in Lua with ls.model.new (how the built-ins were made
-- before they became the engine's), 80,000 operations each. Time each test:
--   for t in "built-in, distinct writes" "Lua, distinct writes" \
--            "built-in, with cas" "Lua, with cas"; do
--     /usr/bin/time -f "$t: %e s" lockstep run bench/lua_models.lua --iterations 1 --test "$t" -q
--   done
local ls = lockstep

local function ev(t, p, f, v) return { type = t, process = p, f = f, value = v } end

-- Four clients; each writes a value of its own or reads, and every
-- operation overlaps the others' (all invoke, then all complete): reads
-- see the last write of the round. cas rounds keep values repeating, so
-- the search (not the zones procedure) decides.
local function history(rounds, with_cas)
  local events = {}
  for r = 1, rounds do
    for c = 1, 4 do
      if c == 1 then events[#events + 1] = ev("invoke", c, "write", r)
      elseif with_cas and c == 2 then events[#events + 1] = ev("invoke", c, "cas", { r, r })
      else events[#events + 1] = ev("invoke", c, "read", nil) end
    end
    for c = 1, 4 do
      if c == 1 then events[#events + 1] = ev("ok", c, "write", nil)
      elseif with_cas and c == 2 then events[#events + 1] = ev("ok", c, "cas", true)
      else events[#events + 1] = ev("ok", c, "read", r) end
    end
  end
  return events
end

local lua_register = ls.model.new({
  name = "register (Lua)",
  init = 0,
  reads = { "read" },
  step = function(state, f, input, output)
    if f == "read" then return output == state, state end
    if f == "write" then return true, input end
    if f == "cas" then
      if state == input[1] then return output == true, input[2] end
      return output == false, state
    end
    return false, state
  end,
})

for _, case in ipairs({ { "distinct writes", false }, { "with cas", true } }) do
  for _, m in ipairs({ { "built-in", ls.model.register(0) }, { "Lua", lua_register } }) do
    ls.test(m[1] .. ", " .. case[1], { iter_timeout = 600000 }, function()
      local ok, info = ls.checker.linearizable(history(20000, case[2]), m[2])
      assert(ok, info.explanation)
    end)
  end
end

-- What building the history costs, to subtract from the times above.
ls.test("history only", { iter_timeout = 600000 }, function()
  assert(#history(20000, true) == 160000)
end)
