"""Exports of registration lists: the official form ("DANH SÁCH các công trình, mô hình, phần
việc …" of Kế hoạch 129) as a print page, DOCX and XLSX, all laid out from one set of data."""
