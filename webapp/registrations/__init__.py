"""Registration lists ("DANH SÁCH các công trình, mô hình, phần việc"): one per unit, member
organization and year, its entries, the editor flows and the official form's exports."""
