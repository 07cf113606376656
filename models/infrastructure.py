"""Planned infrastructure components (seeds/infrastructure/*.yaml): one row per component."""

import pandera.polars as pa

COMPONENTS = ["gpu", "cpu", "networking", "security", "deployment_model", "storage", "other"]


class InfrastructureComponentModel(pa.DataFrameModel):
    company: str = pa.Field(description="Company whose plan this is")
    vendor: str = pa.Field(description="Vendor supplying the component")
    component: str = pa.Field(isin=COMPONENTS, description="Kind of component")
    generation: str = pa.Field(nullable=True, description="Product generation or architecture")
    model: str = pa.Field(description="Product or model name")
    quantity: str = pa.Field(nullable=True, description="Quantity as stated (a label)")
    deployment: str = pa.Field(
        str_matches=r"^\d{4}(-\d{4})?$", description="Deployment window, YYYY or YYYY-YYYY"
    )
    purpose: str = pa.Field(description="What the component is for")
    note: str = pa.Field(nullable=True, description="Further detail")
    source: str = pa.Field(description="Where the plan comes from")

    class Config:
        strict = True
        unique = ["company", "component", "model"]
