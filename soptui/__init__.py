"""soptui: SOP cases and narasumber for Dinas Koperasi, UKM Kalimantan Barat."""

__version__ = "0.2.0"
