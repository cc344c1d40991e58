"""Administrative units (province, district, commune, residential area) and their tree."""
