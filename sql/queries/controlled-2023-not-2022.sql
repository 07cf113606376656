-- Chips controlled under the October 2023 export rule but (definitely) not under the 2022 one.
select
    hardware_name,
    round(tpp) as tpp,
    round(performance_density, 2) as performance_density,
    interconnect_bandwidth_gb_s,
    verdict_2023,
    verdict_2022
from analytics.export_control_screening
where controlled_2023 and not controlled_2022
order by tpp desc
