"""The file Streamlit runs for ``itsim app``: the page is :func:`itsim.app.page.main`.

Everything happens under the ``__main__`` guard: the app's worker processes are
spawned, and a spawned process runs the main script again (as ``__mp_main__``),
where it must do nothing.
"""

if __name__ == "__main__":
    from itsim.app.page import main

    main()
