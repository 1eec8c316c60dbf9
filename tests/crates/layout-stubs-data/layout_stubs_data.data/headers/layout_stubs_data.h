int layout_stubs_data(void);
