-- wrk script: cycle through a fixed mix of search API calls and main pages.
local paths = {
  "/api/search?q=heat+pump",
  "/api/search?q=building+renovation&type=lesson",
  "/api/search?q=energy&language=en&theme=energy&type=lesson",
  "/api/search?q=%22district+heating%22&sort=newest",
  "/api/search/suggest?q=renov",
  "/",
  "/search/?q=citizen+participation",
  "/cities/",
  "/lessons/",
  "/themes/energy/",
}
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
