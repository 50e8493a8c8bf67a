"""Real-word vocabularies for generated logs (``generate_log(themes=True)``).

Each theme is an audience interest: 15 words and 3 hashtags, distinct across themes and
absent from the generator's background words, so a segment's planted vocabulary reads like a
real niche (running, vegan cooking, indie games, …) and stays recoverable.
"""

from __future__ import annotations

__all__ = ["THEMES"]

#: ``(name, words, hashtags)`` per theme; the n-th planted segment takes the n-th theme.
# fmt: off
THEMES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("running", ("marathon", "pace", "tempo", "intervals", "trainers", "splits", "stride",
                 "parkrun", "mileage", "hydration", "taper", "cadence", "trail", "finish",
                 "medal"), ("#running", "#marathontraining", "#runclub")),
    ("vegan cooking", ("tofu", "lentils", "chickpeas", "tempeh", "recipe", "oatmilk", "curry",
                       "seitan", "cashew", "hummus", "plantbased", "veggies", "broth", "spices",
                       "batch"), ("#vegan", "#plantbased", "#veganrecipes")),
    ("indie games", ("roguelike", "pixel", "steam", "devlog", "platformer", "soundtrack",
                     "demo", "speedrun", "boss", "controller", "metroidvania", "itch", "jam",
                     "sprite", "wishlist"), ("#indiegames", "#gamedev", "#indiedev")),
    ("skincare", ("serum", "retinol", "moisturiser", "spf", "cleanser", "niacinamide",
                  "toner", "acne", "routine", "hydrating", "exfoliate", "sunscreen", "derm",
                  "barrier", "glow"), ("#skincare", "#skincareroutine", "#selfcare")),
    ("home espresso", ("espresso", "grinder", "crema", "portafilter", "beans", "roast",
                       "latte", "tamper", "extraction", "barista", "milk", "arabica", "dose",
                       "brewer", "pourover"), ("#coffee", "#espresso", "#homebarista")),
    ("cycling", ("bike", "gravel", "peloton", "climb", "saddle", "wattage", "chain",
                 "helmet", "descent", "criterium", "cleats", "gears", "velodrome", "tubeless",
                 "commute"), ("#cycling", "#gravelbike", "#bikelife")),
    ("gardening", ("tomatoes", "compost", "seedlings", "allotment", "mulch", "pruning",
                   "perennials", "soil", "greenhouse", "bulbs", "weeds", "harvest", "raised",
                   "beds", "pollinators"), ("#gardening", "#growyourown", "#allotmentlife")),
    ("photography", ("lens", "aperture", "shutter", "bokeh", "mirrorless", "tripod",
                     "exposure", "lightroom", "portrait", "landscape", "sunset", "iso",
                     "prime", "framing", "film"), ("#photography", "#photooftheday",
                                                   "#filmphotography")),
    ("climbing", ("bouldering", "crag", "belay", "chalk", "crimp", "harness", "rope",
                  "overhang", "grade", "carabiner", "topout", "send", "gym", "beta",
                  "holds"), ("#climbing", "#bouldering", "#climbinglife")),
    ("sourdough", ("starter", "levain", "crumb", "proofing", "dough", "flour", "loaf",
                   "banneton", "scoring", "bakery", "crust", "oven", "rye", "knead",
                   "autolyse"), ("#sourdough", "#breadmaking", "#homebaking")),
    ("board games", ("dice", "meeple", "catan", "expansion", "deckbuilding", "kickstarter",
                     "coop", "tabletop", "cards", "rulebook", "worker", "placement", "miniatures",
                     "campaign", "gamenight"), ("#boardgames", "#tabletopgames", "#gamenight")),
    ("yoga", ("asana", "flow", "vinyasa", "breathwork", "mat", "stretch", "balance",
              "meditation", "pose", "mindful", "retreat", "hatha", "core", "namaste",
              "flexibility"), ("#yoga", "#yogaeveryday", "#mindfulness")),
    ("electric cars", ("battery", "charging", "range", "charger", "kwh", "tesla", "motorway",
                       "regen", "heatpump", "tariff", "plugin", "ev", "efficiency",
                       "supercharger", "torque"), ("#electricvehicles", "#evlife",
                                                    "#evcharging")),
    ("mechanical keyboards", ("switches", "keycaps", "tactile", "linear", "lubed",
                              "hotswap", "layout", "pcb", "stabilizers", "thock", "artisan",
                              "tenkeyless", "firmware", "typing", "groupbuy"),
     ("#mechanicalkeyboard", "#keyboards", "#mechkeys")),
    ("birdwatching", ("warbler", "binoculars", "heron", "migration", "owl", "feeder",
                      "sighting", "wetland", "raptor", "plumage", "kestrel", "nesting",
                      "songbird", "hide", "twitcher"), ("#birding", "#birdwatching",
                                                       "#birdphotography")),
    ("camping", ("tent", "campfire", "sleeping", "bag", "stove", "backpack", "hike", "lantern",
                 "campsite", "wilderness", "tarp", "hammock", "firewood", "stargazing",
                 "trailhead"), ("#camping", "#outdoors", "#hikingadventures")),
    ("knitting", ("yarn", "needles", "stitch", "cardigan", "wool", "pattern", "sweater",
                  "purl", "skein", "crochet", "mohair", "socks", "blocking", "gauge",
                  "cable"), ("#knitting", "#knittersofinstagram", "#crochet")),
    ("home workouts", ("dumbbells", "kettlebell", "squats", "reps", "sets", "pushups",
                       "burpees", "plank", "hiit", "mobility", "deadlift", "protein",
                       "warmup", "cardio", "gains"), ("#homeworkout", "#fitness",
                                                      "#strengthtraining")),
    ("vinyl records", ("turntable", "pressing", "needle", "album", "crates", "reissue",
                       "stylus", "sleeve", "bside", "jazz", "record", "lp", "audiophile",
                       "speakers", "digging"), ("#vinyl", "#vinylcollection", "#nowspinning")),
    ("tea", ("matcha", "oolong", "sencha", "teapot", "steeping", "loose", "leaf", "chai",
             "earlgrey", "infusion", "kettle", "darjeeling", "gongfu", "puerh", "brewing"),
     ("#tea", "#tealover", "#matcha")),
)
# fmt: on
