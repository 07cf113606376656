"""What a catalog price is (seeds/hardware/price_bases.csv): a chip's list price, an estimate of
what one chip sells for, or a server's price shared among its accelerators. Per-dollar figures
compare only within one basis, so each price the MLPerf tables use records its basis and source.

A row describes one price of one chip: a chip a newer catalog drops, or a price it changes, simply
has no recorded basis (analytics.benchmark_results shows 'unrecorded'), so a new release still
drops in.
"""

import pandera.polars as pa

from models.bounds import MAX_UNIT_PRICE_USD

PRICE_BASES = {
    "launch_list": "the manufacturer's launch list price (MSRP) of one card",
    "chip_estimate": "an analyst's or the press's estimate of what one accelerator sells for",
    "server_share": "a whole server's price (host, network, margin included) / its accelerators",
    "reseller": "a retailer's listing of one card",
}


class PriceBasisModel(pa.DataFrameModel):
    hardware_name: str = pa.Field(unique=True, description="Catalog chip the price is for")
    price_usd: float = pa.Field(
        gt=0,
        le=MAX_UNIT_PRICE_USD,
        description="The catalog price this basis describes [USD]; another price has none",
    )
    price_basis: str = pa.Field(isin=sorted(PRICE_BASES), description="What the price is")
    source: str = pa.Field(description="Where the price and its basis come from")

    class Config:
        strict = True
