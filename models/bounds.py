"""Physical bounds of seed columns: schema rules, not model assumptions.

A value outside them is a typo or a unit mistake (USD per MWh typed as per kWh, milliwatts as
watts), never a figure to compute with: electricity at 1e300 USD/kWh once gave a TCO of 9.2e303.
Each bound is generous, well beyond the largest real value known, so real data does not meet it.
"""

# --- energy and the facility --------------------------------------------------------------------
# ERCOT's wholesale price cap was 9 USD/kWh (9,000 USD/MWh) in 2021; an average above this is a
# price per MWh typed as a price per kWh.
MAX_ELECTRICITY_USD_PER_KWH = 10.0
# PUE is facility power over IT power, so at least 1 by definition; surveys (Uptime Institute)
# find averages near 1.6 and legacy rooms rarely above 2.5.
MIN_PUE = 1.0
MAX_PUE = 3.0
# Lignite, the most carbon-intensive fuel, emits about 1.2 kg CO2/kWh; no grid reaches 2.
MAX_GRID_KG_CO2_PER_KWH = 2.0
# Data-centre buildings are written off over 20-30 years; no TCO horizon is longer than 50.
MAX_HORIZON_YEARS = 50.0
# The largest AI campuses announced plan a few GW; 10 GW of IT power is a typo (kW typed as MW).
MAX_SITE_POWER_MW = 10_000.0
# A host (CPUs, memory, network, fans, power-supply losses) draws a fraction of its accelerators'
# power, well under the accelerators' own; five times their power is no server.
MAX_HOST_POWER_OVERHEAD = 5.0
# Ten years without a refresh is no freshness rule (and keeps Dagster's timedelta in range).
MAX_FRESHNESS_HOURS = 10 * 8784.0
# The HHI of a monopoly (100% squared); a risk divisor above it makes every score below 1.
MAX_HHI = 10_000.0

# --- one compute unit (a server or a system of the efficiency comparison) -----------------------
# A whole GB200 NVL72 rack draws about 130 kW; one unit above 1 MW is a site, or milliwatts.
MAX_UNIT_POWER_W = 1.0e6
# A whole NVL72 rack lists at about 3-4 million USD.
MAX_UNIT_PRICE_USD = 1.0e8
# MLPerf's fastest whole systems serve about 1e6 tokens/s.
MAX_UNIT_TOKENS_PER_S = 1.0e9

# --- one chip (Epoch AI's hardware catalog and its cited supplements) ---------------------------
# Epoch's largest TDP is 1,400 W; a whole Cerebras WSE-3 wafer system draws about 23 kW.
MAX_CHIP_POWER_W = 1.0e5
# The fastest supercomputers reach about 1e19 low-precision OP/s; no one chip approaches 1e21.
MAX_CHIP_OP_PER_S = 1.0e21
# Epoch's bit-OP/s are OP/s times a bit length, at most 64.
MAX_CHIP_BIT_OP_PER_S = 64 * MAX_CHIP_OP_PER_S
# The largest chips hold 288 GB of HBM today; a petabyte is beyond any package.
MAX_CHIP_MEMORY_BYTES = 1.0e15
# The WSE-3's on-wafer SRAM, the fastest memory of any chip, moves 2.1e16 byte/s.
MAX_CHIP_BANDWIDTH_BYTE_S = 1.0e18
MAX_CHIP_BANDWIDTH_BIT_S = 8 * MAX_CHIP_BANDWIDTH_BYTE_S
# No die is larger than the wafer it is cut from: a 450 mm wafer is 159,043 mm2.
MAX_DIE_AREA_MM2 = 159_043.0
# The first integrated circuits (1960s) were made at 10-25 um; 100 um is no process node.
MAX_PROCESS_NM = 100_000.0
# The WSE-3 wafer has 4e12 transistors (4e6 millions).
MAX_TRANSISTORS_MILLIONS = 1.0e8

# --- MLPerf results (whole benchmarked systems) -------------------------------------------------
# The largest AI clusters have about 1e5 nodes; rack-scale nodes hold 72 accelerators.
MAX_NODES = 1_000_000
MAX_ACCELERATORS_PER_NODE = 10_000
# Published results reach about 1e6 samples/s (and 1e4 ms of latency).
MAX_BENCHMARK_RESULT = 1.0e12
# The largest AI data-centre campuses draw about 1 GW; no benchmarked system draws more.
MAX_SYSTEM_POWER_W = 1.0e9
# Published energies are 30-60 mJ per sample; 1e10 mJ (2.8 kWh) per sample is no benchmark.
MAX_ENERGY_PER_SAMPLE_MJ = 1.0e10

# --- money of public policy ---------------------------------------------------------------------
# The whole US federal budget is about 7e12 USD a year; no one instrument is larger.
MAX_PUBLIC_FUNDING_USD = 1.0e13
# Units whose name fixes their largest value: a percent of a whole, and a score from 0 to 1.
MAX_PERCENT = 100.0
MAX_SCORE_0_TO_1 = 1.0
